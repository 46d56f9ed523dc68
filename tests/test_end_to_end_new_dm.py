"""End to end: a newly diagnosed adult with dermatomyositis on prednisone alone (issue 5, "done when").

Fixture `requests/patient-view-new-dm-prednisone-alone.json`, evaluated at tests.factories.NOW
(2026-11-20): woman aged 58, dermatomyositis since 2026-10-28, prednisone 60 mg/day since
2026-10-30 (21 days; 0.83 mg/kg at 72 kg), CK 4850 U/L on 2026-10-27, normal renal function, no
hepatitis serology, no immunizations and no allergies recorded.

Expected by the guideline, and nothing else:
- steroid-sparing-agent: glucocorticoid monotherapy for >= 14 days (BSR 1C);
- pjp-prophylaxis: >= 20 mg/day planned for >= 4 weeks (induction), no prophylaxis;
- bone-protection: >= 2.5 mg/day planned for > 3 months (ACR 2022 GIOP);
- infection-screening: prednisone >= 20 mg/day and no HBsAg, anti-HBc or HCV antibody;
- vaccination: no non-live vaccines recorded while immunosuppressed;
- cancer-screening: adult-onset dermatomyositis (moderate risk or higher, IMACS 2023) within 3 years of onset
  and no CT chest/abdomen/pelvis on record (the fixture sends empty Procedure/DiagnosticReport/ServiceRequest);
- tb-screening: a new glucocorticoid >= 15 mg/day and no IGRA (EULAR 2022: screening considered, information);
- cardiac-assessment: new myositis (onset within 180 days) without an ECG or troponin I (BSR 2022).
Quiet: gc-initial-dose (within 0.5-1 mg/kg/day and <= 80 mg), gc-taper (< 4 weeks), ck-monitoring
(CK 24 days ago), every methotrexate/azathioprine/other-drug check (not prescribed), ild-assessment
(no ILD-risk antibody), severe-disease (no dysphagia or respiratory involvement).
"""

from tests.api import fixture, post_hook

EXPECTED = {
    "steroid-sparing-agent",
    "pjp-prophylaxis",
    "bone-protection",
    "infection-screening",
    "vaccination",
    "cancer-screening",
    "tb-screening",
    "cardiac-assessment",
}


def test_new_dermatomyositis_on_prednisone_alone_gets_exactly_the_expected_cards(client):
    body = fixture("requests/patient-view-new-dm-prednisone-alone.json")
    cards = post_hook(client, "myositis-patient-view", body)["cards"]
    assert {card["source"]["topic"]["code"] for card in cards} == EXPECTED


def test_each_recommendation_gives_at_most_one_card(client):
    body = fixture("requests/patient-view-new-dm-prednisone-alone.json")
    cards = post_hook(client, "myositis-patient-view", body)["cards"]
    codes = [card["source"]["topic"]["code"] for card in cards]
    assert len(codes) == len(set(codes))

"""Never silent when blind: one notice per response naming what could not be read, and which checks it
switched off (issue 21).

The mapping marks items present in the record whose needed fact could not be read
(`ClinicalFacts.unreadable`: a dose, a Medication, a diagnosis's code system, an exact value). Which
recommendation needs which fact is clinical knowledge, so it is declared here (`NEEDS`), once per
recommendation; the notice lists, per item, the applicable recommendations it switched off. Nothing is
asserted about the item itself: the rules that needed it stayed silent, and the notice says so. A record
read completely gets no notice.

On order-select and order-sign the notice names only what concerns the orders being made: an unreadable
draft, a record item that switched off a check of a drafted drug, or a myositis diagnosis that could not
be read (the myositis checks of the drafts did not run). It is a warning on order-sign when a draft being
signed could not be read, information otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from fhir_mappings.concepts import (
    ANTIFIBROTICS,
    OSTEOPOROSIS_THERAPY,
    PJP_PROPHYLAXIS,
    SECOND_IMMUNOSUPPRESSANTS,
    STATINS,
    STEROID_SPARING_AGENTS,
    SYSTEMIC_GLUCOCORTICOIDS,
    TERATOGENS,
    Antibody,
    Drug,
    Lab,
    MyositisSubtype,
    Qualitative,
)
from fhir_mappings.facts import ClinicalFacts, Unreadable, UnreadableReason, is_below
from hooks.criteria import ILD_DIRECTED_AGENTS, draft_references, is_juvenile_myositis
from hooks.recommendation import (
    ORDER_HOOKS,
    ORDER_SIGN,
    Citation,
    Finding,
    Indicator,
    Params,
    Recommendation,
    Result,
)

GC = SYSTEMIC_GLUCOCORTICOIDS
MTX = frozenset({Drug.METHOTREXATE})
TMP_SMX = frozenset({Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM})


@dataclass(frozen=True)
class Needs:
    """The facts one recommendation reads: which drugs it looks for (an unidentified medication may be one
    of them), whose doses it reads, and which results it compares with which of its parameters (a result
    reported beyond a bound switches it off only when the bound cannot decide the comparison)."""

    #: The check as a clinician names it, for the notice ("PJP prophylaxis", "the taper").
    check: str = ""
    drugs: frozenset[Drug] = frozenset()
    doses: frozenset[Drug] = frozenset()
    #: Result -> the parameters holding the limits it must be below of (eGFR: "warning_below_egfr").
    limits: Mapping[Lab | Antibody, tuple[str, ...]] = field(default_factory=dict)
    #: For a recommendation about some patients only (juvenile, IBM, an antibody): whether this patient is one.
    when: Callable[[ClinicalFacts], bool] | None = None
    #: Reads only the draft orders themselves (the draft-order safety check), not the record's items.
    drafts_only: bool = False

    def switched_off_by(self, item: Unreadable, params: Params) -> bool:
        if self.drafts_only and not item.is_draft:
            return False
        if item.reason is UnreadableReason.DOSE:
            return item.drug in self.doses
        if item.reason is UnreadableReason.MEDICATION:
            return bool(self.drugs | self.doses)
        if item.reason is UnreadableReason.COMPARATOR and item.bound is not None and item.lab is not None:
            comparator, value = item.bound
            return any(is_below(value, comparator, params[name]) is None for name in self.limits.get(item.lab, ()))
        return False


def _needs(check: str, drugs: Iterable[Drug] = (), doses: Iterable[Drug] = (), egfr_below: tuple[str, ...] = (),
           when: Callable[[ClinicalFacts], bool] | None = None, drafts_only: bool = False) -> Needs:
    doses = frozenset(doses)
    return Needs(check, frozenset(drugs) | doses, doses, {Lab.EGFR: egfr_below} if egfr_below else {}, when,
                 drafts_only)


def _positive(antibody: Antibody) -> Callable[[ClinicalFacts], bool]:
    return lambda facts: facts.antibody(antibody) is Qualitative.POSITIVE


def _anti_hmgcr_or_imnm(facts: ClinicalFacts) -> bool:
    return facts.myositis is MyositisSubtype.IMMUNE_MEDIATED_NECROTIZING or _positive(Antibody.HMGCR)(facts)


#: Recommendation id -> the facts it reads (tests/test_unreadable.py checks every registered id is here).
NEEDS: dict[str, Needs] = {
    "anti-mda5-rp-ild": _needs("anti-MDA5 ILD therapy", drugs=GC | ILD_DIRECTED_AGENTS,
                                when=_positive(Antibody.MDA5)),
    "anti-ro52-myositis": _needs("anti-Ro52 induction", drugs=STEROID_SPARING_AGENTS, doses=GC,
                                  when=_positive(Antibody.RO52)),
    "azathioprine-tpmt": _needs("azathioprine TPMT/NUDT15", doses={Drug.AZATHIOPRINE}),
    "bone-protection": _needs("bone protection", drugs=OSTEOPOROSIS_THERAPY | {Drug.CALCIUM, Drug.VITAMIN_D}, doses=GC),
    "calcineurin-inhibitor-risk": _needs("calcineurin-inhibitor kidney and blood pressure", drugs={Drug.CICLOSPORIN, Drug.TACROLIMUS},
                                         egfr_below=("egfr_threshold",)),
    "cardiac-assessment": _needs("cardiac assessment"),
    "cancer-screening": _needs("cancer screening", drugs=SECOND_IMMUNOSUPPRESSANTS | {Drug.IVIG}),
    "ck-monitoring": _needs("CK monitoring", drugs=STEROID_SPARING_AGENTS | GC),
    "cyclophosphamide-checks": _needs("cyclophosphamide dose and pre-cycle checks", doses={Drug.CYCLOPHOSPHAMIDE}),
    "draft-order-safety": _needs("the safety check of the draft order", doses=frozenset(Drug), drafts_only=True),
    "draft-strength-conflict": _needs("strength conflict"),
    "exercise-therapy": _needs("exercise therapy", drugs=STEROID_SPARING_AGENTS | GC),
    "gc-initial-dose": _needs("the initial glucocorticoid dose", doses=GC),
    "gc-taper": _needs("the taper", doses=GC),
    "ibm-immunosuppression": _needs("no escalation in IBM", drugs=GC | STEROID_SPARING_AGENTS,
                                     when=lambda facts: facts.myositis is MyositisSubtype.INCLUSION_BODY_MYOSITIS),
    "ild-assessment": _needs("ILD assessment"),
    "infection-screening": _needs("hepatitis B/C screening", drugs=SECOND_IMMUNOSUPPRESSANTS, doses=GC),
    "iv-methylprednisolone-dose": _needs("the IV methylprednisolone dose", doses={Drug.METHYLPREDNISOLONE}),
    "ivig-dose": _needs("the IVIG dose", drugs={Drug.OESTROGEN}, doses={Drug.IVIG}, egfr_below=("caution_egfr",)),
    "juvenile-dm-dosing": _needs("juvenile DM dosing", doses=MTX | GC, when=is_juvenile_myositis),
    "methotrexate-baseline-tests": _needs("methotrexate baseline tests", drugs=MTX),
    "methotrexate-cotrimoxazole": _needs("methotrexate with co-trimoxazole", drugs=MTX, doses=TMP_SMX,
                                         egfr_below=("risk_below_egfr",)),
    "methotrexate-dose": _needs("the methotrexate dose", doses=MTX),
    "methotrexate-folate": _needs("folic acid with methotrexate", drugs=MTX | {Drug.FOLIC_ACID, Drug.LEUCOVORIN}),
    "methotrexate-ild": _needs("methotrexate in ILD", drugs=MTX),
    "methotrexate-liver": _needs("methotrexate and the liver", drugs=MTX),
    "methotrexate-monitoring": _needs("methotrexate monitoring", drugs=MTX),
    "methotrexate-renal": _needs("methotrexate and kidney function", drugs=MTX,
                                  egfr_below=("warning_below_egfr", "critical_below_egfr")),
    "mycophenolate-dose": _needs("the mycophenolate dose", doses={Drug.MYCOPHENOLATE_MOFETIL, Drug.MYCOPHENOLIC_ACID}),
    "pjp-prophylaxis": _needs("PJP prophylaxis", drugs=SECOND_IMMUNOSUPPRESSANTS | PJP_PROPHYLAXIS, doses=GC),
    "progressive-fibrosing-ild": _needs("progressive fibrosing ILD", drugs=STEROID_SPARING_AGENTS | GC | ANTIFIBROTICS),
    "refractory-disease": _needs("refractory disease", drugs=STEROID_SPARING_AGENTS | GC),
    "rituximab-immunoglobulins": _needs("immunoglobulins before rituximab", drugs={Drug.RITUXIMAB}),
    "rituximab-hbv": _needs("rituximab and hepatitis B", drugs={Drug.RITUXIMAB}),
    "severe-disease": _needs("severe disease", drugs=STEROID_SPARING_AGENTS | GC | {Drug.METHYLPREDNISOLONE}),
    "skin-disease-treatment": _needs("skin disease and the hydroxychloroquine dose", doses={Drug.HYDROXYCHLOROQUINE},
                                      egfr_below=("annual_screening_egfr_below",)),
    "statin-anti-hmgcr": _needs("statins in anti-HMGCR myopathy", drugs=STATINS, when=_anti_hmgcr_or_imnm),
    "steroid-sparing-agent": _needs("a steroid-sparing agent", drugs=STEROID_SPARING_AGENTS, doses=GC),
    "tb-screening": _needs("TB screening", drugs=SECOND_IMMUNOSUPPRESSANTS, doses=GC),
    "teratogen-pregnancy": _needs("teratogens and pregnancy", drugs=TERATOGENS),
    "vaccination": _needs("vaccination", drugs=SECOND_IMMUNOSUPPRESSANTS, doses=GC),
}
NO_NEEDS = Needs()


def _compared_results() -> dict[Lab | Antibody, frozenset[Drug]]:
    """Each result some check compares with a limit -> the drugs it is compared for (`switched_off`: a check's dosed
    drugs, else any it reads)."""
    compared: dict[Lab | Antibody, frozenset[Drug]] = {}
    for needs in NEEDS.values():
        for lab in needs.limits:
            compared[lab] = compared.get(lab, frozenset()) | (needs.doses or needs.drugs)
    return compared


#: Only these results, reported beyond a bound while one of their drugs is ordered, can switch a check off, so only
#: theirs need be mapped for the notice, and only then (`fhir_mappings.parse.build_facts(compared=...)`).
COMPARED_RESULTS: Mapping[Lab | Antibody, frozenset[Drug]] = _compared_results()

UNREADABLE_DATA = Recommendation(
    id="unreadable-data",
    title="Not checked: data that could not be read",
    citation=Citation(
        label="myositis-cds: what the service could not read in this record",
        url="",
        statement="Items of the record whose dose, medication, code or value could not be read, and the checks "
                  "that therefore did not run.",
    ),
    trigger="An item present in the record whose fact a recommendation needs could not be read.",
    hooks=frozenset({"patient-view", "order-select", ORDER_SIGN}),
    indicators=frozenset({Indicator.INFO, Indicator.WARNING}),
    evaluate=lambda facts, params: None,
    requires_myositis=False,
)
#: Items listed on the card; the rest are counted.
MAX_ITEMS = 8
_PROBLEM = {
    UnreadableReason.DOSE: "its dose could not be read",
    UnreadableReason.MEDICATION: "its medication could not be identified",
    UnreadableReason.CODE_SYSTEM: "the diagnosis could not be read",
    UnreadableReason.COMPARATOR: "its exact value is not known, only a bound",
}


def _myositis_unread(item: Unreadable, facts: ClinicalFacts) -> bool:
    """A diagnosis whose text names myositis, in a patient with no readable myositis diagnosis."""
    return item.reason is UnreadableReason.CODE_SYSTEM and bool(item.named) and not facts.has_active_myositis


Applicable = Callable[[Recommendation, ClinicalFacts], bool]
Settings = Callable[[Recommendation], Params]


def switched_off(item: Unreadable, facts: ClinicalFacts, recommendations: Iterable[Recommendation],
                 applicable: Applicable, settings: Settings) -> tuple[Recommendation, ...]:
    """The recommendations of this hook that `item` left unable to check this patient (`applicable`: the
    engine's policy of which recommendations run for this patient; `settings`: their parameters)."""
    found = []
    for recommendation in recommendations:
        if facts.hook not in recommendation.hooks:
            continue
        if _myositis_unread(item, facts):
            if recommendation.requires_myositis:
                found.append(recommendation)
            continue
        needs = NEEDS.get(recommendation.id, NO_NEEDS)
        if not applicable(recommendation, facts) or not needs.switched_off_by(item, settings(recommendation)):
            continue
        if needs.when is not None and not needs.when(facts):
            continue
        if item.reason is UnreadableReason.COMPARATOR and not facts.current(needs.doses or needs.drugs):
            continue  # a result compared only for drugs the patient is not on (its dosed drugs, else any it reads)
        found.append(recommendation)
    return tuple(found)


def _concerns_orders(item: Unreadable, off: tuple[Recommendation, ...], facts: ClinicalFacts) -> bool:
    """On an order hook: the item is a draft, names myositis, or switched off a check of a drafted drug."""
    if item.is_draft or _myositis_unread(item, facts):
        return True
    drafted = {m.drug for m in facts.drafts()}
    return any(NEEDS.get(r.id, NO_NEEDS).drugs & drafted for r in off)


def check_name(recommendation: Recommendation) -> str:
    """The recommendation as the notice names it: its short check name, else its title."""
    return NEEDS.get(recommendation.id, NO_NEEDS).check or recommendation.title


def _line(item: Unreadable, off: tuple[Recommendation, ...]) -> str:
    """"PJP prophylaxis, bone protection and the taper not checked for 'Prednisone 20 mg tab, 3 tabs daily':
    its dose could not be read (timing code '696530')."."""
    what = f"'{item.item}'" + (" (draft order)" if item.is_draft else "")
    why = f"{_PROBLEM[item.reason]} ({item.problem})"
    if not off:
        return (f"{what}: {why}; the checks that depend on other diagnoses (pregnancy, liver, kidney or lung "
                "disease) did not see it.")
    names = list(dict.fromkeys(check_name(r) for r in off))
    checks = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{checks[:1].upper()}{checks[1:]} not checked for {what}: {why}."


def notice(facts: ClinicalFacts, recommendations: Iterable[Recommendation], applicable: Applicable,
           settings: Settings, shown: Iterable[Result] = ()) -> Result | None:
    """The one notice of this response, or None when nothing unreadable switched a check off. A recommendation
    with a card in this response (`shown`) ran: it is not named as not checked."""
    ran = {r.recommendation.id for r in shown}
    recommendations = tuple(r for r in recommendations if r.id not in ran)
    lines: list[str] = []
    draft_signed = False
    for item in facts.unreadable:
        off = switched_off(item, facts, recommendations, applicable, settings)
        diagnosis = item.reason is UnreadableReason.CODE_SYSTEM and facts.has_active_myositis
        if not off and not diagnosis:
            continue
        if facts.hook in ORDER_HOOKS and not _concerns_orders(item, off, facts):
            continue
        lines.append(_line(item, off))
        draft_signed = draft_signed or (item.is_draft and facts.hook == ORDER_SIGN)
    if not lines:
        return None
    listed = lines[:MAX_ITEMS]
    if len(lines) > MAX_ITEMS:
        listed.append(f"... and {len(lines) - MAX_ITEMS} more items that could not be read.")
    count = f"{len(lines)} item{'s' if len(lines) > 1 else ''}"
    subject = "a draft order being signed" if draft_signed and len(lines) == 1 else f"{count} of the record"
    finding = Finding(
        indicator=Indicator.WARNING if draft_signed else Indicator.INFO,
        summary=f"Not checked: {subject} could not be read",
        detail=("The service could not read these items, so the checks named did not run for them. Nothing "
                "is assumed about them: check them yourself, or correct the record so they can be read."),
        facts_used=tuple(listed),
        about_drafts=draft_references(facts.drafts()) if facts.hook in ORDER_HOOKS else (),
    )
    return Result(UNREADABLE_DATA, finding)

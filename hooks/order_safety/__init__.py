"""Order safety: one check that every one-click medication order of every card passes through.

The engine hands each finding to `screen.screen_finding`, which reads every MedicationRequest a
suggestion would create or update (`fhir_mappings.suggested_orders`) and asks `decide.decide`
what to do with it: offer it as is, offer it adjusted (dose or interval changed, the reason in the
label), offer it but not pre-selected, or leave it out (the card's detail says which option and why).
The clinician's own draft orders meet the same decision (`drafts.screen_drafts`): one card per
draft the check would not offer as written, with a fix that passes the check itself.
The dimensions are one module each (kidney, liver, reproduction, paediatric, swallowing,
interactions); their thresholds are the `[order-safety]` parameters (`params.py`).
"""

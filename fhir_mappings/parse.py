"""FHIR in: a hook request's context and (completed) prefetch to `ClinicalFacts`.

Interface (implemented by the mappings work):

    build_facts(hook: str, context: Mapping, prefetch: Mapping[str, Any], now: datetime,
                data_gaps: tuple[str, ...] = ()) -> ClinicalFacts

`prefetch` values are FHIR resources or Bundles (or None = known empty); `context.draftOrders`
is a Bundle. Never raises on resource content: what cannot be read is skipped and counted in
`ClinicalFacts.report`.
"""

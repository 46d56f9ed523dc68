"""Reading from the EHR's FHIR server when a hook call's prefetch is incomplete.

Owns the bounded HTTP client (`fhir_client`: allowlisted bases, deadlines, byte and page limits,
paging) and the completion of a request's prefetch from `fhirServer` (`prefetch`). It may import only
`config` (for its types) and the libraries it wraps; `protocol` and `security` import it.
"""

"""Reading from the EHR's FHIR server when a hook call's prefetch is incomplete.

Owns the allowlist rules for base URLs (`allowlist`: which `fhirServer` bases may be called, in one
normalised spelling; it imports nothing from `cds_service`, so `config` can check CDS_FHIR_ALLOWLIST
entries with it), the bounded HTTP client (`fhir_client`: deadlines, byte and page limits, paging) and
the completion of a request's prefetch from `fhirServer` (`prefetch`). It may import only `config`;
`command_line`, `protocol`, `security` and `metrics` (for the fetch report) import it.
"""

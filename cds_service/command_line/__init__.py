"""The command line (`myositis-cds`, entered through `cds_service.launcher`) and the offline reports it prints.

Owns the subcommands (`cli`), the recommendation catalog and generated settings file (`catalog`), the
terminology coverage of a corpus (`coverage_report`) and the feedback report read from the store
(`feedback_report`). It is the top of the package: it may import every other part of `cds_service`
(`serve` imports `cds_service.server` lazily, so the server's start-up order is kept), plus `hooks` and
`fhir_mappings`; nothing in `cds_service` imports it.
"""

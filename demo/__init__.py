"""`make demo`: the FHIR server of the tests with the demo patients, and the service with its /demo page."""

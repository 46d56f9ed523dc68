"""Who may call the service: client JWT authentication and the replay cache of seen token ids.

Owns the trusted-issuers file, token verification against each issuer's JWKS and the Flask hook that
requires a token (`auth`), and the SQLite or Redis record of used `jti`s with its outage policy
(`replay_cache`). It may import `storage` (the backends' URLs and outage memory), `fetch` (the JWKS
download shares the FHIR client's deadlines and limits) and the shared modules (`config`, `errors`,
`metrics`, `client_profiles`); only `protocol` and `server` import it.
"""

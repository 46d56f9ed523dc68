"""The clinician's draft orders meet the order-safety check (docs/order-safety.md).

Declared here so that the catalog, the rule settings and the registry-wide tests know it; the check
and its cards are `hooks.order_safety.drafts` (one card per draft that fails, run by the engine).
"""

from __future__ import annotations

from hooks.order_safety.drafts import DRAFT_ORDER_SAFETY

RECOMMENDATION = DRAFT_ORDER_SAFETY

"""The audit pipeline: its one door for api, web and directory (can_audit, request, hooks)."""

"""Genuine as a Bluesky labeler: cards become signed atproto labels (issue 14)."""

"""Views of results: the JSON document (``json``) and the rich table (``tables``) of each
result type, side by side. No arithmetic happens here."""

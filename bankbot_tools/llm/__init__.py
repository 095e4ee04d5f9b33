"""LLM-facing layer: tool schemas, the dispatcher, spoken answers and the MCP server."""

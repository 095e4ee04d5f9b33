"""The LLM-facing layer: tool schemas, the dispatcher, the tools' spoken answers and the
MCP server. Nothing here does arithmetic; it validates and shapes through the core."""

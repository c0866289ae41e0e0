"""repo_graph package."""

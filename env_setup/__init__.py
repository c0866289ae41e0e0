"""env_setup package."""

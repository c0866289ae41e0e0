"""Configuration shipped with the tool: Jinja prompt templates under prompts/."""

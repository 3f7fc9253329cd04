"""Pydantic models: framework entities, contributions, reviews, change lists."""

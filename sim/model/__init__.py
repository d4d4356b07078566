"""The model: agents (states), the world they act in, and their mechanisms."""

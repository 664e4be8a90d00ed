"""No models yet: they arrive with their capability."""

"""Pure domain: stages, roles, rights checkpoints with their legal basis, clocks, errors."""

"""The only code that imports SpiffWorkflow: load, run, serialize, sandbox."""

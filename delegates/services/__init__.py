"""Every write the delegates app knows, one module per sub-domain."""

"""Singer tap for Lucca, the French HR suite."""

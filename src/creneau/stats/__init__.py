"""Public statistics: aggregates with small-cell protection, open data, charts, published audit heads."""

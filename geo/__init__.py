"""Guangzhou S&T innovation layout: loading, validation, coordinate systems and exports."""

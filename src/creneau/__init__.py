"""Créneau: fair, scalping-proof appointments for prefectures' foreigners' services."""

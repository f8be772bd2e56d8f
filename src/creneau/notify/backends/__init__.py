"""Delivery backends. E-mail goes through Django's mail API; SMS through ``backends.sms``."""

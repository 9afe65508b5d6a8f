"""The public pages a guest reaches from a QR code."""

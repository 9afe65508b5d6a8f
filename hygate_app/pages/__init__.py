"""What is drawn: guest pages now; admin and sign-in pages arrive with their issues."""

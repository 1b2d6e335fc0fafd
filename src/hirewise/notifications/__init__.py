"""In-app notifications: who is told of what (through security.py), the bell, the list, email delivery."""

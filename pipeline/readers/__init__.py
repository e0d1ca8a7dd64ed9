"""Readers: one module (or package) per source kind; each turns bytes into a Document."""

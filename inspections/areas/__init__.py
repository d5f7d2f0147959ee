"""Administrative units, their boundaries, and "which area is this point in"."""

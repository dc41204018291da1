"""The recommendations' writes: building an edition's model (`building`) and the "No thanks"
of either side of a pair (`dismissals`)."""

"""Every write of the programme: editing (`editing`), publishing (`publishing`), visitors'
reservations and favourites (`reservations`), attendance at the room door (`attendance`)."""

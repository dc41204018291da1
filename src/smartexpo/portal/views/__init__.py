"""The exhibitor's portal: the pages an exhibitor's people sign in to."""

"""Command families of the `genuine` CLI; each module exposes `commands`."""

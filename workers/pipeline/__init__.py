"""The pure core: decoding, cleaning, language ID, fingerprints and linking decisions.

Plain functions over plain data; nothing in this package touches the database, the broker or HTTP."""

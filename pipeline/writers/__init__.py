"""Writers: one module per target format; each turns a Document into bytes."""

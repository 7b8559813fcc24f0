"""Lead lists, leads, CSV imports, retry rules and dispositions.

Kept free of imports: the import reader's child process loads `chunks` without the whole schema."""

"""Writers: the only modules that create workbooks and documents."""

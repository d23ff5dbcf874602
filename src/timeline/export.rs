//! Case summary export.

//! See ../shared/DESIGN.md.

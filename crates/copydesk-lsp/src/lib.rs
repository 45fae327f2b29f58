//! placeholder while the skeleton is laid; see ARCHITECTURE.md

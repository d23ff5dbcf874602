//! Plain data types shared by every layer.

//! Images uploaded for slideshows: checked and cleaned (`domain::slide_image`), stored as
//! temporary uploads that expire after a day unless a job uses them (`store`), within
//! per-caller limits (`routes`).

pub mod expire;
pub mod routes;
pub mod store;

//! The jobs API's tables: `api_jobs` and `api_job_outputs`. Creating (`create`), reading and
//! listing (`read`), and the fenced transitions the job steps commit (`transitions`).

pub mod create;
pub mod outputs;
pub mod read;
pub mod rows;
pub mod transitions;

//! The OpenAPI description, generated from the handlers' `#[utoipa::path]` annotations and the
//! types' `ToSchema` derives, so it follows the code.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "ngo-search",
        description = "Multilingual full-text search for the documents of civil-society organisations. \
            Errors are `{\"error\":{\"code\":\"…\",\"message\":\"…\"}}`. Reads are public unless the server \
            has NGO_SEARCH_READ_KEY set; writes need `Authorization: Bearer <NGO_SEARCH_ADMIN_KEY>`."
    ),
    paths(
        routes::search_get,
        routes::search_post,
        routes::get_document,
        routes::post_documents,
        routes::delete_document,
        routes::health,
        routes::stats,
        routes::openapi,
        routes::page,
        routes::widget,
    ),
    components(schemas(super::error::ErrorBody, super::error::ErrorDetail)),
    modifiers(&Security),
    tags(
        (name = "search", description = "Search"),
        (name = "documents", description = "Read, add, replace and delete documents"),
        (name = "service", description = "Health, statistics, this description"),
        (name = "web", description = "The search page and the embeddable widget"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The admin key (NGO_SEARCH_ADMIN_KEY): needed for writes",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "read_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The read key (NGO_SEARCH_READ_KEY) or the admin key: needed for reads only when the server has a read key",
                    ))
                    .build(),
            ),
        );
    }
}

/// The description as JSON, with what applies to every operation added: any request may be
/// rate-limited (429) or time out (503), and any body may be over the limit (413); `q` is
/// required (its serde default only lets the engine name it in the 400).
pub fn json() -> String {
    let mut doc = match serde_json::to_value(ApiDoc::openapi()) {
        Ok(v) => v,
        Err(e) => return format!("{{\"error\":{{\"code\":\"internal\",\"message\":\"{e}\"}}}}"),
    };
    let error = |description: &str| {
        serde_json::json!({
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
        })
    };
    if let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, op) in item.iter_mut() {
                let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut())
                else {
                    continue;
                };
                responses.entry("429").or_insert_with(|| {
                    error("Rate limit (per client address): see the Retry-After header")
                });
                responses
                    .entry("503")
                    .or_insert_with(|| error("The request took longer than the server's timeout"));
                if method == "post" {
                    responses
                        .entry("413")
                        .or_insert_with(|| error("Body over the limit"));
                }
                if path == "/search" && method == "get" {
                    for p in op
                        .get_mut("parameters")
                        .and_then(|p| p.as_array_mut())
                        .into_iter()
                        .flatten()
                    {
                        if p["name"] == "q" {
                            p["required"] = serde_json::Value::Bool(true);
                        }
                    }
                }
            }
        }
    }
    if let Some(schema) = doc.pointer_mut("/components/schemas/SearchRequest") {
        schema["required"] = serde_json::json!(["q"]);
    }
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

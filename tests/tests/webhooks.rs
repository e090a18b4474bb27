//! Webhook and custom-app signatures against vectors computed independently
//! with Python's `hmac` module, never with this crate:
//!
//! ```text
//! python3 -c 'import hmac, hashlib, sys; print(hmac.new(b"whsec_test", BODY, hashlib.sha256).hexdigest())'
//! ```
//!
//! with `BODY` the exact bytes of each body below. The custom-app payloads
//! were built in Python the way Go's `json.Marshal(url.Values)` writes them
//! (Pylon's documented recipe), from Python's own query parser:
//!
//! ```text
//! params = urllib.parse.parse_qs(QUERY, keep_blank_values=True)
//! s = json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
//! for c, e in [("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")]:
//!     s = s.replace(c, e)
//! print(hmac.new(b"whsec_app", s.encode(), hashlib.sha256).hexdigest())
//! ```

use std::collections::BTreeMap;

use pylon_sdk::webhook::{self, WebhookError, WebhookSecret};
use reqwest::header::{HeaderMap, HeaderValue};

const SECRET: &str = "whsec_test";

/// An issue event as a compact JSON body.
const ISSUE_CREATED: &[u8] = br#"{"event":"issue.created","issue":{"id":"iss_8f2c1a","number":1042,"title":"SSO login fails for new users","state":"new","account":{"id":"acc_31","name":"Acme Corp"},"requester":{"id":"con_77","email":"ada@acme.example"},"tags":["sso","vip"],"created_at":"2026-03-02T09:15:00Z"}}"#;
/// hmac.new(b"whsec_test", ISSUE_CREATED, hashlib.sha256).hexdigest()
const ISSUE_CREATED_SIG: &str = "497264e2dd1bf275e27f3f69794d124ee7b701bfbf2247fbba0916e014269e88";
/// hmac.new(b"whsec_other", ISSUE_CREATED, hashlib.sha256).hexdigest()
const ISSUE_CREATED_OTHER_SECRET_SIG: &str =
    "0c26a044f800d3e56a19e85099363433736fbbafc703f08e011eaaa4ae5c1452";
/// hmac.new(b"k" * 100, ISSUE_CREATED, hashlib.sha256).hexdigest(): a key
/// longer than SHA-256's block, which HMAC hashes first.
const ISSUE_CREATED_LONG_SECRET_SIG: &str =
    "ac85a86c8a788fedca6416cf2fd0b83742675571e0fac20baadc33acb86dae69";

/// Pretty-printed, with non-ASCII text and a trailing newline (all signed).
const ISSUE_UPDATED: &str = concat!(
    "{\n",
    "  \"event\": \"issue.updated\",\n",
    "  \"issue\": {\n",
    "    \"id\": \"iss_8f2c1a\",\n",
    "    \"state\": \"on_you\",\n",
    "    \"title\": \"Connexion SSO échoue — nouveaux utilisateurs\"\n",
    "  }\n",
    "}\n",
);
/// hmac.new(b"whsec_test", ISSUE_UPDATED.encode(), hashlib.sha256).hexdigest()
const ISSUE_UPDATED_SIG: &str = "110158a7862e8c4280f2be38b9d0e4809e59461d33d8d8380f837800066839f5";

/// hmac.new(b"whsec_test", b"", hashlib.sha256).hexdigest()
const EMPTY_SIG: &str = "43c0f4d23c8e8841358fad4624b1a592799222b29f25bb59baea43cdcb522ed1";

const NON_UTF8: &[u8] = b"\xff\xfe\x00pylon\x80";
/// hmac.new(b"whsec_test", b"\xff\xfe\x00pylon\x80", hashlib.sha256).hexdigest()
const NON_UTF8_SIG: &str = "4d51fec97bc32370b0bdb9afc32386b7da9d3b83fdddbc51851e93747ac6df21";

fn secret() -> WebhookSecret {
    WebhookSecret::new(SECRET)
}

#[test]
fn python_vectors_verify_and_sign_reproduces_them() {
    let long_secret = WebhookSecret::new(vec![b'k'; 100]);
    let vectors: [(&WebhookSecret, &[u8], &str); 5] = [
        (&secret(), ISSUE_CREATED, ISSUE_CREATED_SIG),
        (&secret(), ISSUE_UPDATED.as_bytes(), ISSUE_UPDATED_SIG),
        (&secret(), b"", EMPTY_SIG),
        (&secret(), NON_UTF8, NON_UTF8_SIG),
        (&long_secret, ISSUE_CREATED, ISSUE_CREATED_LONG_SECRET_SIG),
    ];
    for (secret, body, expected) in vectors {
        assert_eq!(webhook::sign(secret, body), expected);
        webhook::verify(secret, body, Some(expected)).unwrap();
    }
    let other = WebhookSecret::new("whsec_other");
    assert_eq!(
        webhook::sign(&other, ISSUE_CREATED),
        ISSUE_CREATED_OTHER_SECRET_SIG
    );
}

#[test]
fn a_body_one_byte_off_is_refused() {
    let tampered = String::from_utf8(ISSUE_CREATED.to_vec())
        .unwrap()
        .replace("iss_8f2c1a", "iss_8f2c1b");
    assert_eq!(tampered.len(), ISSUE_CREATED.len());
    assert!(matches!(
        webhook::verify(&secret(), tampered.as_bytes(), Some(ISSUE_CREATED_SIG)),
        Err(WebhookError::SignatureMismatch)
    ));
    // One byte added or removed at either end.
    for body in [
        &ISSUE_CREATED[1..],
        &ISSUE_CREATED[..ISSUE_CREATED.len() - 1],
        &[ISSUE_CREATED, b"\n"].concat()[..],
    ] {
        assert!(matches!(
            webhook::verify(&secret(), body, Some(ISSUE_CREATED_SIG)),
            Err(WebhookError::SignatureMismatch)
        ));
    }
    assert!(matches!(
        webhook::verify(&secret(), b" ", Some(EMPTY_SIG)),
        Err(WebhookError::SignatureMismatch)
    ));
    assert!(matches!(
        webhook::verify(&secret(), b"\xff\xfe\x00pylon\x81", Some(NON_UTF8_SIG)),
        Err(WebhookError::SignatureMismatch)
    ));
}

#[test]
fn another_webhooks_signature_is_refused() {
    assert!(matches!(
        webhook::verify(
            &secret(),
            ISSUE_CREATED,
            Some(ISSUE_CREATED_OTHER_SECRET_SIG)
        ),
        Err(WebhookError::SignatureMismatch)
    ));
    assert!(matches!(
        webhook::verify(
            &WebhookSecret::new("whsec_other"),
            ISSUE_CREATED,
            Some(ISSUE_CREATED_SIG)
        ),
        Err(WebhookError::SignatureMismatch)
    ));
}

#[derive(Debug, serde::Deserialize)]
struct IssueEvent {
    event: String,
    issue: Issue,
}

#[derive(Debug, serde::Deserialize)]
struct Issue {
    id: String,
    number: Option<u64>,
    title: String,
}

#[test]
fn verify_json_decodes_only_authentic_bodies() {
    let event: IssueEvent =
        webhook::verify_json(&secret(), ISSUE_CREATED, Some(ISSUE_CREATED_SIG)).unwrap();
    assert_eq!(event.event, "issue.created");
    assert_eq!(event.issue.id, "iss_8f2c1a");
    assert_eq!(event.issue.number, Some(1042));
    assert_eq!(event.issue.title, "SSO login fails for new users");

    let value: serde_json::Value =
        webhook::verify_json(&secret(), ISSUE_UPDATED.as_bytes(), Some(ISSUE_UPDATED_SIG)).unwrap();
    assert_eq!(
        value["issue"]["title"],
        "Connexion SSO échoue — nouveaux utilisateurs"
    );

    // Authentic but not an issue event: decoding fails, after the check.
    let error =
        webhook::verify_json::<IssueEvent>(&secret(), NON_UTF8, Some(NON_UTF8_SIG)).unwrap_err();
    assert!(matches!(error, WebhookError::InvalidBody(_)), "{error:?}");
    // Not authentic: refused, whatever it would decode to.
    let error =
        webhook::verify_json::<IssueEvent>(&secret(), ISSUE_CREATED, Some(EMPTY_SIG)).unwrap_err();
    assert!(
        matches!(error, WebhookError::SignatureMismatch),
        "{error:?}"
    );
}

#[test]
fn header_values_missing_malformed_or_in_other_forms() {
    let body = ISSUE_CREATED;
    assert!(matches!(
        webhook::verify(&secret(), body, None),
        Err(WebhookError::MissingSignature)
    ));
    // Surrounding whitespace and uppercase digits are the same signature.
    for accepted in [
        format!("  {ISSUE_CREATED_SIG}\t"),
        ISSUE_CREATED_SIG.to_uppercase(),
    ] {
        webhook::verify(&secret(), body, Some(&accepted)).unwrap();
    }
    // Not documented by Pylon, so not accepted.
    for malformed in [
        format!("sha256={ISSUE_CREATED_SIG}"),
        ISSUE_CREATED_SIG[..63].to_string(),
        format!("{ISSUE_CREATED_SIG}00"),
        format!("{}x", &ISSUE_CREATED_SIG[..63]),
        format!("{} {}", &ISSUE_CREATED_SIG[..32], &ISSUE_CREATED_SIG[32..]),
        String::new(),
    ] {
        let error = webhook::verify(&secret(), body, Some(&malformed)).unwrap_err();
        assert!(
            matches!(error, WebhookError::MalformedSignature { .. }),
            "{malformed:?}: {error:?}"
        );
        assert!(!error.to_string().contains(&malformed) || malformed.is_empty());
    }
}

#[test]
fn signature_from_headers_reads_the_header_in_any_case() {
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-pylon-signature",
        HeaderValue::from_static(ISSUE_CREATED_SIG),
    );
    let signature = webhook::signature_from_headers(&headers).unwrap();
    assert_eq!(signature, Some(ISSUE_CREATED_SIG));
    webhook::verify(&secret(), ISSUE_CREATED, signature).unwrap();

    headers.append(
        webhook::SIGNATURE_HEADER,
        HeaderValue::from_static(ISSUE_CREATED_SIG),
    );
    assert!(matches!(
        webhook::signature_from_headers(&headers),
        Err(WebhookError::MalformedSignature { .. })
    ));
    assert_eq!(
        webhook::signature_from_headers(&HeaderMap::new()).unwrap(),
        None
    );
}

const APP_SECRET: &str = "whsec_app";

/// (query, payload Python built from it, hmac.new(b"whsec_app", payload, hashlib.sha256).hexdigest())
const QUERY_VECTORS: [(&str, &str, &str); 3] = [
    (
        "issue_id=iss_8f2c1a&account_id=acc_31&user_email=ada%40acme.example",
        r#"{"account_id":["acc_31"],"issue_id":["iss_8f2c1a"],"user_email":["ada@acme.example"]}"#,
        "fe11e3b0c597759086260d33a6ebf7a687e7fb47940e521c0d9c640a16affb49",
    ),
    (
        "tag=vip&tag=sso+login&q=a%26b%3Cc%3E&name=Ren%C3%A9e&empty=&flag&sep=%E2%80%A8&note=line1%0Aline2",
        r#"{"empty":[""],"flag":[""],"name":["Renée"],"note":["line1\nline2"],"q":["a\u0026b\u003cc\u003e"],"sep":["\u2028"],"tag":["vip","sso login"]}"#,
        "60944cab459ee76e291d030e7dd690da308613fe96a9a8acfb29146daaee5758",
    ),
    (
        "",
        "{}",
        "8fbbc12bbab588d37ed9e39c69d3a41b7476e06a3171ae2ea26f4c2de3c48be3",
    ),
];

#[test]
fn custom_app_queries_match_python_payloads_and_signatures() {
    let secret = WebhookSecret::new(APP_SECRET);
    for (query, payload, signature) in QUERY_VECTORS {
        let ours = webhook::query_payload(query).unwrap();
        assert_eq!(String::from_utf8(ours).unwrap(), payload, "{query}");
        assert_eq!(webhook::sign_query(&secret, query).unwrap(), signature);
        webhook::verify_query(&secret, query, Some(signature)).unwrap();
    }
}

#[test]
fn verify_query_params_hands_back_what_was_signed() {
    let (query, _, signature) = QUERY_VECTORS[1];
    let params =
        webhook::verify_query_params(&WebhookSecret::new(APP_SECRET), query, Some(signature))
            .unwrap();
    let expected: BTreeMap<String, Vec<String>> = [
        ("empty", vec![""]),
        ("flag", vec![""]),
        ("name", vec!["Renée"]),
        ("note", vec!["line1\nline2"]),
        ("q", vec!["a&b<c>"]),
        ("sep", vec!["\u{2028}"]),
        ("tag", vec!["vip", "sso login"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(params, expected);
}

#[test]
fn altered_custom_app_queries_are_refused() {
    let secret = WebhookSecret::new(APP_SECRET);
    let (query, _, signature) = QUERY_VECTORS[0];
    for altered in [
        "issue_id=iss_8f2c1b&account_id=acc_31&user_email=ada%40acme.example",
        "issue_id=iss_8f2c1a&account_id=acc_31&user_email=eve%40acme.example",
        "issue_id=iss_8f2c1a&account_id=acc_31&user_email=ada%40acme.example&admin=true",
        "issue_id=iss_8f2c1a&issue_id=iss_9&account_id=acc_31&user_email=ada%40acme.example",
        "issue_id=iss_8f2c1a&account_id=acc_31",
    ] {
        assert!(
            matches!(
                webhook::verify_query(&secret, altered, Some(signature)),
                Err(WebhookError::SignatureMismatch)
            ),
            "{altered}"
        );
    }
    // The payload is a map, so the order of different names is not signed
    // (as in Pylon's own Go recipe), but the order of one name's values is.
    webhook::verify_query(
        &secret,
        "user_email=ada%40acme.example&account_id=acc_31&issue_id=iss_8f2c1a",
        Some(signature),
    )
    .unwrap();
    let (_, _, tags_signature) = QUERY_VECTORS[1];
    assert!(matches!(
        webhook::verify_query(
            &secret,
            "tag=sso+login&tag=vip&q=a%26b%3Cc%3E&name=Ren%C3%A9e&empty=&flag&sep=%E2%80%A8&note=line1%0Aline2",
            Some(tags_signature)
        ),
        Err(WebhookError::SignatureMismatch)
    ));
    // A leading `?` is not part of the query string.
    assert!(matches!(
        webhook::verify_query(&secret, &format!("?{query}"), Some(signature)),
        Err(WebhookError::SignatureMismatch)
    ));
    // Queries Pylon never sends are refused, even with a valid signature.
    assert!(matches!(
        webhook::verify_query(&secret, &format!("{query}&x=%zz"), Some(signature)),
        Err(WebhookError::InvalidQuery { .. })
    ));
    assert!(matches!(
        webhook::verify_query(&secret, &format!("{query};x=1"), Some(signature)),
        Err(WebhookError::InvalidQuery { .. })
    ));
    assert!(matches!(
        webhook::verify_query(&secret, query, None),
        Err(WebhookError::MissingSignature)
    ));
}

//! TLS for PostgreSQL connections, with libpq's `sslmode` meanings (rustls, no system
//! OpenSSL): `disable` never encrypts; `prefer` (the default) encrypts when the server
//! offers it; `require` always encrypts; neither checks the server's certificate, as in
//! libpq. `verify-ca` also checks that a trusted authority signed the certificate, and
//! `verify-full` that it names the host connected to. Trusted authorities are the PEM file
//! named by `sslrootcert`, or else the Mozilla roots compiled into seg.

use std::path::PathBuf;
use std::sync::Arc;

use postgres::config::SslMode;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::diagnostics::{Code, Diagnostic};
use crate::project::percent_decoded;

/// How a connection is encrypted and what of the server's certificate is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// The TLS settings of a URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Settings {
    mode: Mode,
    root_cert: Option<PathBuf>,
}

/// `url` without its `sslmode` and `sslrootcert` parameters (the `postgres` crate knows
/// neither `verify-*` nor root certificates), and the settings they gave.
pub(super) fn split(url: &str) -> Result<(String, Settings), Diagnostic> {
    let mut settings = Settings {
        mode: Mode::Prefer,
        root_cert: None,
    };
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_string(), settings));
    };
    let mut kept = Vec::new();
    for parameter in query.split('&') {
        // Names and values as the client decodes them: `ssl%6Dode` is `sslmode`.
        let (name, value) = match parameter.split_once('=') {
            Some((name, value)) => (percent_decoded(name), percent_decoded(value)),
            None => (percent_decoded(parameter), String::new()),
        };
        match (name.as_str(), value.as_str()) {
            ("sslmode", value) => {
                settings.mode = match value {
                    "disable" => Mode::Disable,
                    "prefer" => Mode::Prefer,
                    "require" => Mode::Require,
                    "verify-ca" => Mode::VerifyCa,
                    "verify-full" => Mode::VerifyFull,
                    other => {
                        return Err(Diagnostic::error(
                            Code::ManifestInvalid,
                            format!("`sslmode={other}` is not a TLS mode"),
                        )
                        .with_help("use disable, prefer, require, verify-ca or verify-full"));
                    }
                }
            }
            ("sslrootcert", path) => settings.root_cert = Some(PathBuf::from(path)),
            _ => kept.push(parameter),
        }
    }
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((url, settings))
}

impl Settings {
    /// The `postgres` crate's mode: whether TLS is tried, and whether it is required.
    pub(super) fn ssl_mode(&self) -> SslMode {
        match self.mode {
            Mode::Disable => SslMode::Disable,
            Mode::Prefer => SslMode::Prefer,
            Mode::Require | Mode::VerifyCa | Mode::VerifyFull => SslMode::Require,
        }
    }

    /// The TLS connector that checks what the mode asks.
    pub(super) fn connector(&self) -> Result<MakeRustlsConnect, Diagnostic> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_error(&e.to_string()))?;
        let config = match self.mode {
            Mode::Disable | Mode::Prefer | Mode::Require => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(Unchecked(provider)))
                .with_no_client_auth(),
            Mode::VerifyCa | Mode::VerifyFull => {
                let verifier = WebPkiServerVerifier::builder_with_provider(
                    Arc::new(self.roots()?),
                    provider,
                )
                .build()
                .map_err(|e| tls_error(&e.to_string()))?;
                let verifier: Arc<dyn ServerCertVerifier> = if self.mode == Mode::VerifyCa {
                    Arc::new(AnyName(verifier))
                } else {
                    verifier
                };
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(verifier)
                    .with_no_client_auth()
            }
        };
        Ok(MakeRustlsConnect::new(config))
    }

    /// The authorities trusted to sign the server's certificate.
    fn roots(&self) -> Result<RootCertStore, Diagnostic> {
        let mut roots = RootCertStore::empty();
        let Some(path) = &self.root_cert else {
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            return Ok(roots);
        };
        let unreadable = |e: &dyn std::fmt::Display| {
            Diagnostic::error(
                Code::FileUnreadable,
                format!("cannot read the root certificate {}: {e}", path.display()),
            )
            .with_help("`sslrootcert` names a PEM file of the authorities that sign the server's certificate")
        };
        for certificate in CertificateDer::pem_file_iter(path).map_err(|e| unreadable(&e))? {
            roots
                .add(certificate.map_err(|e| unreadable(&e))?)
                .map_err(|e| unreadable(&e))?;
        }
        Ok(roots)
    }
}

fn tls_error(message: &str) -> Diagnostic {
    Diagnostic::error(Code::DatabaseError, format!("cannot set up TLS: {message}"))
}

/// `prefer` and `require`: the connection is encrypted, the certificate is not checked
/// (libpq's meaning); the handshake's signatures still are.
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: a trusted authority signed the certificate, whatever host it names.
#[derive(Debug)]
struct AnyName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.0.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName
                | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_settings_come_out_of_the_url() {
        let (url, settings) =
            split("postgresql://u@h/db?sslmode=verify-full&application_name=x&sslrootcert=/ca.pem")
                .unwrap();
        assert_eq!(url, "postgresql://u@h/db?application_name=x");
        assert_eq!(settings.mode, Mode::VerifyFull);
        assert_eq!(settings.root_cert, Some(PathBuf::from("/ca.pem")));
        let (url, settings) = split("postgresql://u@h/db").unwrap();
        assert_eq!(url, "postgresql://u@h/db");
        assert_eq!(settings.mode, Mode::Prefer);
        assert!(split("postgresql://u@h/db?sslmode=sometimes").is_err());
        // However the name is written, the mode is seg's to apply (never left to default).
        let (url, settings) = split("postgresql://u@h/db?ssl%6Dode=require").unwrap();
        assert_eq!(url, "postgresql://u@h/db");
        assert_eq!(settings.mode, Mode::Require);
    }
}

import nodemailer from 'nodemailer';

/** What the embedded auth sends: recovery and e-mail change messages. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
}

/**
 * Sends through the SMTP server of `smtpUrl` (`smtp://user:pass@host:587`, or
 * `smtps://` for implicit TLS; nodemailer upgrades `smtp://` with STARTTLS when
 * the server offers it). Not pooled: a connection per message, nothing held open.
 */
export function createSmtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(mail) {
      await transport.sendMail({ from, ...mail });
    },
  };
}

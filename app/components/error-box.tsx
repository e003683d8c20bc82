export function ErrorBox({ title, message }: { title: string; message: string }) {
  return (
    <div className="error-box" role="alert">
      <strong>{title}</strong>
      <div style={{ whiteSpace: 'pre-wrap' }}>{message}</div>
    </div>
  );
}

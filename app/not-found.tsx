import Link from "next/link";

export default function NotFound() {
  return (
    <div className="narrow card">
      <h1>Not found</h1>
      <p>We could not find that page, or it is not yours to see.</p>
      <Link href="/dashboard">Back to your accounts</Link>
    </div>
  );
}

import { JobList } from '@/components/jobs/job-list';
import { AppShell } from '@/components/ui/app-shell';

export default function HomePage() {
  return (
    <AppShell>
      <div className="min-h-0 flex-1 overflow-auto">
        <JobList />
      </div>
    </AppShell>
  );
}
